package dev.usage.redis;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.CommandArgs;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A command's arguments already in the protocol's form: bulk strings, {@code $<length>\r\n<bytes>\r\n} each,
 * written out as they are. {@link RedisConsumeBatcher}'s callers encode their own consume's keys and arguments
 * in their own threads, so that the connection's event loop, which writes every call, only copies bytes (it was
 * the busiest thread of a one-quota benchmark, and every argument cost it a buffer and a UTF-8 encoding).
 * Only {@link #count()} and {@link #encode(ByteBuf)} are used by Lettuce to write a command; the builder methods
 * of {@link CommandArgs} are not for this class.
 */
final class BulkArgs extends CommandArgs<String, String> {

  private final List<byte[]> parts = new ArrayList<>();
  private int count;

  BulkArgs() {
    super(StringCodec.UTF8);
  }

  /** Adds {@code n} arguments, encoded together by {@link #encode(String...)}. */
  BulkArgs addEncoded(byte[] bulk, int n) {
    parts.add(bulk);
    count += n;
    return this;
  }

  /** Adds these arguments. */
  BulkArgs addText(String... values) {
    return addEncoded(encode(values), values.length);
  }

  /** {@code values} as consecutive bulk strings (UTF-8). */
  static byte[] encode(String... values) {
    byte[][] bytes = new byte[values.length][];
    int size = 0;
    for (int i = 0; i < values.length; i++) {
      bytes[i] = values[i].getBytes(StandardCharsets.UTF_8);
      size += 1 + digits(bytes[i].length) + 2 + bytes[i].length + 2;
    }
    byte[] out = new byte[size];
    int at = 0;
    for (byte[] b : bytes) {
      out[at++] = '$';
      int d = digits(b.length);
      for (int i = d - 1, n = b.length; i >= 0; i--, n /= 10) {
        out[at + i] = (byte) ('0' + n % 10);
      }
      at += d;
      out[at++] = '\r';
      out[at++] = '\n';
      System.arraycopy(b, 0, out, at, b.length);
      at += b.length;
      out[at++] = '\r';
      out[at++] = '\n';
    }
    return out;
  }

  private static int digits(int n) {
    int d = 1;
    while (n >= 10) {
      n /= 10;
      d++;
    }
    return d;
  }

  @Override
  public int count() {
    return count;
  }

  @Override
  public void encode(ByteBuf buf) {
    for (byte[] p : parts) {
      buf.writeBytes(p);
    }
  }

  /** The arguments as the protocol carries them, line breaks as spaces: for logs and debugging. */
  @Override
  public String toCommandString() {
    StringBuilder s = new StringBuilder();
    for (byte[] p : parts) {
      s.append(new String(p, StandardCharsets.UTF_8).replace("\r\n", " "));
    }
    return s.toString().trim();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + " [" + count + " arguments]";
  }
}
