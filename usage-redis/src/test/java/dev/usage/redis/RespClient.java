package dev.usage.redis;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal blocking RESP2 client on a plain socket, for fixtures that must talk to a Redis without Lettuce
 * (whose reconnect and buffering would hide what the fixture wants to see) and without forking
 * {@code redis-cli}. It sends one command and reads one reply, rendered as a String:
 *
 * <ul>
 *   <li>simple string and bulk string: the text (UTF-8); integer: its decimal digits;</li>
 *   <li>null bulk string or null array: {@code (nil)}, as {@code redis-cli} prints it;</li>
 *   <li>array: its elements, nested arrays flattened, joined with {@code \n} (an empty array is {@code ""});</li>
 *   <li>error reply: thrown as {@link ErrorReply}, whose message is the server's text
 *       (e.g. {@code CLUSTERDOWN The cluster is down}), so an unexpected error cannot pass for a result.</li>
 * </ul>
 *
 * <p>Connection and I/O failures (refused, timed out, closed) are thrown as {@link UncheckedIOException}.
 * The connection speaks RESP2 (no {@code HELLO}). Not thread-safe: one caller at a time.
 */
public final class RespClient implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RespClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /**
   * Opens a connection.
   *
   * @param host the server's host
   * @param port the server's port
   * @param timeout bounds the connect and every later read
   * @return a connected client; close it
   * @throws UncheckedIOException when the connection cannot be made
   */
  public static RespClient connect(String host, int port, Duration timeout) {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
      socket.connect(new InetSocketAddress(host, port), Math.toIntExact(timeout.toMillis()));
      return new RespClient(socket);
    } catch (IOException e) {
      closeQuietly(socket);
      throw new UncheckedIOException("cannot connect to Redis at " + host + ":" + port, e);
    }
  }

  /**
   * Opens a connection, runs one command and closes the connection.
   *
   * @param host the server's host
   * @param port the server's port
   * @param timeout bounds the connect and the read of the reply
   * @param args the command and its arguments, e.g. {@code "CONFIG", "GET", "save"}
   * @return the reply, rendered as described on the class
   * @throws ErrorReply when the server answers with an error
   * @throws UncheckedIOException when the server cannot be reached or does not answer in time
   */
  public static String call(String host, int port, Duration timeout, String... args) {
    try (RespClient client = connect(host, port, timeout)) {
      return client.call(args);
    }
  }

  /**
   * Sends one command and reads its reply.
   *
   * @param args the command and its arguments
   * @return the reply, rendered as described on the class
   * @throws ErrorReply when the server answers with an error
   * @throws UncheckedIOException on an I/O failure or when the reply does not come within the timeout
   */
  public String call(String... args) {
    if (args.length == 0) {
      throw new IllegalArgumentException("args: a command is required");
    }
    try {
      out.write(encode(args));
      out.flush();
      List<String> parts = new ArrayList<>();
      readReply(parts);
      return String.join("\n", parts);
    } catch (IOException e) {
      throw new UncheckedIOException("Redis command " + args[0] + " failed", e);
    }
  }

  /** The RESP encoding of a command: an array of bulk strings. */
  static byte[] encode(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    writeAscii(bytes, "*" + args.length + "\r\n");
    for (String arg : args) {
      byte[] value = arg.getBytes(StandardCharsets.UTF_8);
      writeAscii(bytes, "$" + value.length + "\r\n");
      bytes.writeBytes(value);
      writeAscii(bytes, "\r\n");
    }
    return bytes.toByteArray();
  }

  private void readReply(List<String> parts) throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("connection closed by the server");
    }
    String line = readLine();
    switch (type) {
      case '+', ':' -> parts.add(line);
      case '-' -> throw new ErrorReply(line);
      case '$' -> {
        int length = Integer.parseInt(line);
        if (length < 0) {
          parts.add("(nil)");
          return;
        }
        byte[] value = in.readNBytes(length);
        if (value.length < length || readLine().length() != 0) {
          throw new IOException("truncated bulk string");
        }
        parts.add(new String(value, StandardCharsets.UTF_8));
      }
      case '*' -> {
        int count = Integer.parseInt(line);
        if (count < 0) {
          parts.add("(nil)");
          return;
        }
        for (int i = 0; i < count; i++) {
          readReply(parts);
        }
      }
      default -> throw new IOException("not a RESP2 reply type: " + (char) type);
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int previous = -1;
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed inside a reply");
      }
      if (previous == '\r' && b == '\n') {
        byte[] bytes = line.toByteArray();
        return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
      }
      line.write(b);
      previous = b;
    }
  }

  private static void writeAscii(ByteArrayOutputStream out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing to do about a failed close of a socket we are abandoning
    }
  }

  /** Closes the connection. */
  @Override
  public void close() {
    closeQuietly(socket);
  }

  /** An error reply from the server (RESP {@code -}); the message is the server's text. */
  public static final class ErrorReply extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ErrorReply(String message) {
      super(message);
    }
  }
}
