package dev.usage;

/** Whether a quota refuses work past its limit or only reports it. */
public enum Enforcement {
  /** Requests that would pass the limit are refused and consume nothing. */
  HARD,
  /** Requests are always admitted; the status goes RED past the limit (overage, billing, alerts). */
  SOFT
}
