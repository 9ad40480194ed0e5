package io.gozargah.engine.testing;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Certificates made in the test, with BouncyCastle (no openssl binary, no JDK-internal classes): a CA, a
 * {@code localhost} server certificate (SAN localhost and 127.0.0.1), and client certificates that are good,
 * from an unknown CA, or expired. P-256 keys: quick to make.
 */
public final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate with its key, and where they were written as PEM. */
    public record Issued(X509Certificate certificate, PrivateKey key, Path certificatePem, Path keyPem) {
    }

    public final Path dir;
    public final Issued ca;
    public final Issued server;
    public final Issued goodClient;
    public final Issued unknownClient;
    public final Issued expiredClient;

    private TestCertificates(Path dir) throws Exception {
        this.dir = dir;
        Instant now = Instant.now();
        ca = issue("ca", "CN=Gozargah Test CA", null, true, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)),
                false, false);
        Issued otherCa = issue("other-ca", "CN=Someone Else's CA", null, true, now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30)), false, false);
        server = issue("server", "CN=localhost", ca, false, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)),
                true, false);
        goodClient = issue("client-good", "CN=alice", ca, false, now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30)), false, true);
        unknownClient = issue("client-unknown", "CN=mallory", otherCa, false, now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30)), false, true);
        expiredClient = issue("client-expired", "CN=alice-old", ca, false, now.minus(Duration.ofDays(30)),
                now.minus(Duration.ofDays(1)), false, true);
    }

    public static TestCertificates create() throws Exception {
        return new TestCertificates(Files.createTempDirectory("gozargah-certs"));
    }

    /** A new server certificate for {@code localhost} from the same CA (a rotation), written as PEM. */
    public Issued newServerCertificate(String name) throws Exception {
        Instant now = Instant.now();
        return issue(name, "CN=localhost", ca, false, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(60)),
                true, false);
    }

    /** {@code sha256:<hex>} of the certificate's DER, as config lists client certificates. */
    public static String fingerprint(X509Certificate certificate) throws Exception {
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
        return "sha256:" + java.util.HexFormat.of().formatHex(digest);
    }

    /** A client TLS context trusting the test CA and presenting {@code client} (null: no certificate). */
    public SSLContext clientContext(Issued client) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (client != null) {
            char[] password = "test".toCharArray();
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", client.key(), password, new X509Certificate[]{client.certificate()});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    private Issued issue(String name, String subject, Issued issuer, boolean isCa, Instant notBefore, Instant notAfter,
                         boolean serverAuth, boolean clientAuth) throws Exception {
        return issue(dir, name, subject, issuer, isCa, notBefore, notAfter, serverAuth, clientAuth, "localhost",
                "127.0.0.1");
    }

    /** A CA certificate valid from an hour ago for a day, not written to disk (its PEM paths are null). */
    public static Issued ca(String name) throws Exception {
        Instant now = Instant.now();
        return issue(null, name, "CN=" + name, null, true, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)),
                false, false);
    }

    /**
     * A server certificate signed by {@code ca} for {@code names} (DNS names, or IPv4 addresses written as such),
     * valid from an hour ago for a day, not written to disk.
     */
    public static Issued server(Issued ca, String... names) throws Exception {
        Instant now = Instant.now();
        return issue(null, names[0], "CN=" + names[0], ca, false, now.minus(Duration.ofHours(1)),
                now.plus(Duration.ofDays(1)), true, false, names);
    }

    /** Writes {@code certificate} as PEM into {@code dir}/{@code fileName}. */
    public static Path writePem(Path dir, String fileName, X509Certificate certificate) throws Exception {
        return Files.writeString(dir.resolve(fileName), pem("CERTIFICATE", certificate.getEncoded()));
    }

    /** Issues a certificate; writes it and its key as PEM into {@code dir} unless {@code dir} is null. */
    private static Issued issue(Path dir, String name, String subject, Issued issuer, boolean isCa, Instant notBefore,
                                Instant notAfter, boolean serverAuth, boolean clientAuth, String... sans)
            throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        X500Name subjectName = new X500Name(subject);
        X500Name issuerName = issuer == null ? subjectName
                : new X500Name(issuer.certificate().getSubjectX500Principal().getName());
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), subjectName,
                pair.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (isCa) {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    serverAuth ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
        }
        if (serverAuth) {
            GeneralName[] alt = new GeneralName[sans.length];
            for (int i = 0; i < sans.length; i++) {
                boolean ip = sans[i].chars().allMatch(c -> c == '.' || Character.isDigit(c));
                alt[i] = new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, sans[i]);
            }
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alt));
        }
        PrivateKey signer = issuer == null ? pair.getPrivate() : issuer.key();
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        if (dir == null) {
            return new Issued(certificate, pair.getPrivate(), null, null);
        }
        Path certificatePem = dir.resolve(name + ".crt");
        Path keyPem = dir.resolve(name + ".key");
        Files.writeString(certificatePem, pem("CERTIFICATE", certificate.getEncoded()));
        Files.writeString(keyPem, pem("PRIVATE KEY", pair.getPrivate().getEncoded())); // PKCS#8
        return new Issued(certificate, pair.getPrivate(), certificatePem, keyPem);
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** Overwrites {@code target}'s PEM files with {@code source}'s (a certificate rotation on disk). */
    public static void copy(Issued source, Path certificatePem, Path keyPem) throws IOException {
        Files.copy(source.certificatePem(), certificatePem, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(source.keyPem(), keyPem, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
