package dev.usage.spring.autoconfigure;

/**
 * One tier under {@code usage.tiers.<name>}: its parent and the limits it sets itself. A tier named like a
 * built-in one ({@code free}, {@code premium}, {@code enterprise}) replaces it.
 */
public class TierProperties extends PeriodLimits {

  /** The tier whose limits apply where this one sets none (built-in or configured). */
  private String parent;

  public String getParent() {
    return parent;
  }

  public void setParent(String parent) {
    this.parent = parent;
  }
}
