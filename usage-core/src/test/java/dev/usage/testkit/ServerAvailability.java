package dev.usage.testkit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Skips a test whose server is not reachable, naming the server, unless {@code USAGE_IT_REQUIRED=true}
 * (as CI sets it), in which case the test fails instead.
 */
public final class ServerAvailability {

  private ServerAvailability() {}

  /** Whether unreachable servers fail tests rather than skip them. */
  public static boolean required() {
    return "true".equalsIgnoreCase(System.getenv("USAGE_IT_REQUIRED"));
  }

  /**
   * Skips (or fails, when required) unless {@code reachable}.
   *
   * @param server what could not be reached, e.g. {@code PostgreSQL at 127.0.0.1:5432}
   * @param reachable whether it could be reached
   * @param why what went wrong, for the message
   */
  public static void require(String server, boolean reachable, String why) {
    if (reachable) {
      return;
    }
    String message = server + " is not reachable (" + why + ")";
    if (required()) {
      Assertions.fail(message + "; USAGE_IT_REQUIRED=true forbids skipping");
    }
    Assumptions.abort(message + "; skipping. Start it (see TESTING.md) or set USAGE_IT_REQUIRED=true to fail instead");
  }
}
