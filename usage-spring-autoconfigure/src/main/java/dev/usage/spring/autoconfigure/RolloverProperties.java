package dev.usage.spring.autoconfigure;

/**
 * How one quota type's unused units carry into the next period, under {@code rollover.<type-name>} beside its
 * limit (e.g. {@code usage.quotas.defaults.rollover.characters.cap=5000}); see {@link dev.usage.RolloverPolicy}.
 * At least one cap is needed: {@code cap}, {@code cap-percent}, or {@code cap=-1} to carry everything unused.
 */
public class RolloverProperties {

  /**
   * The most units carried into the next period; -1 for no absolute cap (then cap-percent, when set, is the
   * only cap; without it, every unused unit carries, up to 2^53 - 1).
   */
  private Long cap;

  /** The most carried into the next period in percent of the limit, 1 to 1000; the smaller cap applies. */
  private Integer capPercent;

  /**
   * The number of periods after the one they were left unused in during which carried units may be used,
   * after which they expire, 1 to 24; 0 for never.
   */
  private int expiresAfterPeriods;

  public Long getCap() {
    return cap;
  }

  public void setCap(Long cap) {
    this.cap = cap;
  }

  public Integer getCapPercent() {
    return capPercent;
  }

  public void setCapPercent(Integer capPercent) {
    this.capPercent = capPercent;
  }

  public int getExpiresAfterPeriods() {
    return expiresAfterPeriods;
  }

  public void setExpiresAfterPeriods(int expiresAfterPeriods) {
    this.expiresAfterPeriods = expiresAfterPeriods;
  }
}
