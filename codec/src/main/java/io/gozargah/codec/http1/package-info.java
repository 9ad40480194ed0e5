/** Hand-written HTTP/1.1 request and response parsers and head encoders over Netty {@code ByteBuf}s. */
package io.gozargah.codec.http1;
