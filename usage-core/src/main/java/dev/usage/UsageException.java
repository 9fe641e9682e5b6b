package dev.usage;

/**
 * Root of every error this library throws on purpose. Subclasses say what went wrong; none of them
 * carries a driver exception type in its signature (adapters wrap those as the cause).
 */
public abstract class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  protected UsageException(String message) {
    super(message);
  }

  protected UsageException(String message, Throwable cause) {
    super(message, cause);
  }
}
