package io.gozargah.engine.portal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.demo.DemoConsumers;
import io.gozargah.engine.demo.DemoProviders;
import io.gozargah.engine.testing.Await;
import io.gozargah.engine.testing.DemoConfig;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;

/**
 * The portal in a real browser: headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which
 * {@code .ci/run} installs when missing) driven by Selenium, in front of the demo config and agencies. One browser
 * session for the whole walk: the catalogue in Persian, right to left, with the three demo agencies; a search; the
 * switch to English and back; signing in with a demo key; one inquiry through the gateway taking one off the quota
 * left; the statistics with their chart; signing out. The console must stay free of errors (a script error, a
 * blocked resource, a Content-Security-Policy violation) throughout. Screenshots of each page are saved under
 * target/portal-screenshots (the README's are copies of them).
 */
class PortalBrowserIT {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target/portal-screenshots");

    @TempDir
    static Path dir;

    @RegisterExtension
    static final GatewayUnderTest setup = new GatewayUnderTest();

    private static WebDriver browser;
    private static GatewayFixture gateway;
    private static PortalServer portal;
    private static final List<String> consoleErrors = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Chromium is not installed (" + CHROMIUM + ", " + CHROMEDRIVER + "): apt-get install chromium"
                        + " chromium-driver, as .ci/run does; the browser test is skipped");
        DemoProviders agencies = setup.closeAfter(DemoProviders.start(0, 0, 0));
        Path config = DemoConfig.isolated(dir, agencies.nocrAddress().getPort(), agencies.postAddress().getPort(),
                agencies.smsAddress().getPort());
        gateway = setup.start(config);
        GatewayConfig loaded = gateway.gateway().snapshot().config();
        portal = setup.closeAfter(PortalServer.start(loaded.portal(), gateway.gateway()));

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--no-first-run", "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + dir.resolve("chromium"));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + portal.address().getPort() + path;
    }

    private static WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(15));
    }

    /** Takes the console's entries so far; errors are kept for the final assertion. */
    private static void drainConsole() {
        for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue()) {
                consoleErrors.add(browser.getCurrentUrl() + ": " + entry.getMessage());
            }
        }
    }

    private static void screenshot(String name) throws IOException {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static String html(String attribute) {
        return browser.findElement(By.tagName("html")).getAttribute(attribute);
    }

    private static long visibleServices() {
        return browser.findElements(By.cssSelector("article.service")).stream().filter(WebElement::isDisplayed).count();
    }

    @Test
    void shouldWalkTheCatalogueSignInSeeTheQuotaGoDownStatisticsAndSignOut() throws Exception {
        // the catalogue: Persian first, right to left, the three demo agencies by their Persian titles
        browser.get(url("/"));
        assertEquals("fa", html("lang"));
        assertEquals("rtl", html("dir"));
        String text = browser.findElement(By.tagName("main")).getText();
        for (String agency : new String[] {"سازمان ثبت احوال کشور", "شرکت ملی پست", "سامانه پیامک دولت"}) {
            assertTrue(text.contains(agency), agency + " in " + text);
        }
        assertEquals(3, visibleServices());
        drainConsole();
        screenshot("catalogue");

        // search as one types (portal.js), narrowing to the SMS service
        browser.findElement(By.id("q")).sendKeys("پیامک");
        waiting().until(d -> d.findElement(By.id("shown")).getText().equals("1"));
        assertEquals(1, visibleServices());
        assertTrue(browser.findElement(By.id("sms--send")).isDisplayed());
        assertTrue(browser.getCurrentUrl().contains("?q="), "the search is in the address, to share");
        screenshot("catalogue-search");
        browser.findElement(By.id("q")).clear();
        browser.findElement(By.id("tag")).sendKeys("identity");
        waiting().until(d -> d.findElement(By.id("shown")).getText().equals("1"));
        assertTrue(browser.findElement(By.id("nocr--identity")).isDisplayed());
        drainConsole();

        // the English switch, kept by its cookie on the next page, and back
        browser.findElement(By.id("lang-switch")).click();
        waiting().until(d -> "en".equals(html("lang")));
        assertEquals("ltr", html("dir"));
        assertTrue(browser.findElement(By.tagName("main")).getText().contains("Identity inquiry"));
        screenshot("catalogue-en");
        browser.get(url("/statistics"));
        assertEquals("en", html("lang"), "the cookie keeps English");
        browser.findElement(By.id("lang-switch")).click();
        waiting().until(d -> "fa".equals(html("lang")));
        drainConsole();

        // sign in with a demo key
        browser.get(url("/me"));
        screenshot("sign-in");
        browser.findElement(By.id("key")).sendKeys(DemoConsumers.SNAPP_KEY);
        browser.findElement(By.cssSelector("#sign-in button")).click();
        waiting().withMessage(() -> "signed in: " + browser.getCurrentUrl() + "\n" + browser.getPageSource())
                .until(d -> !d.findElements(By.id("consumer")).isEmpty());
        assertEquals("snapp", browser.findElement(By.id("consumer")).getText());
        assertEquals("rtl", html("dir"));
        long before = leftToday("nocr/identity");

        // one inquiry through the gateway takes one off today's quota
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            c.send("GET /nocr/identity/" + DemoConsumers.VALID_NATIONAL_ID + " HTTP/1.1\r\nHost: gw\r\nX-Api-Key: "
                    + DemoConsumers.SNAPP_KEY + "\r\n\r\n");
            assertEquals(200, c.read().status());
        }
        Await.until(() -> {
            browser.navigate().refresh();
            return !browser.findElements(By.id("transactions")).isEmpty();
        }, "the inquiry journaled and listed");
        assertEquals(before - 1, leftToday("nocr/identity"), "quota left down by one");
        assertTrue(browser.findElement(By.id("transactions")).getText().contains("nocr/identity"));
        drainConsole();
        screenshot("me");

        // the statistics of the journal's month, with the chart drawn by uPlot
        portal.refreshStatistics(); // the inquiry is journaled (listed above); the next scheduled run is minutes away
        browser.get(url("/statistics"));
        waiting().until(d -> !d.findElements(By.cssSelector("#chart canvas")).isEmpty());
        assertTrue(browser.findElement(By.id("months")).getText().contains("1"), "a month row");
        drainConsole();
        screenshot("statistics");

        // sign out: back to the form, the session gone
        browser.get(url("/me"));
        browser.findElement(By.id("sign-out")).click();
        waiting().until(d -> !d.findElements(By.id("sign-in")).isEmpty());
        browser.navigate().refresh();
        assertTrue(browser.findElements(By.id("consumer")).isEmpty(), "still signed out after a reload");
        drainConsole();

        assertEquals(List.of(), consoleErrors, "no console errors");
    }

    private static long leftToday(String service) {
        String cell = browser.findElement(By.cssSelector("tr[data-service='" + service + "'] td.left-today")).getText();
        return Long.parseLong(cell.substring(0, cell.indexOf(' ')).strip());
    }
}
