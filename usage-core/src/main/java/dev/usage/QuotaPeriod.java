package dev.usage;

/**
 * The window a quota's counter covers. Windows are computed from the clock, the user's time zone and
 * billing anchor day; they are never stored or rolled by a job.
 */
public enum QuotaPeriod {
  /** A local calendar day in the user's zone, midnight to midnight. */
  DAY,
  /** An ISO week in the user's zone, Monday 00:00 to the next Monday 00:00. */
  WEEK,
  /**
   * A month from the user's billing anchor day to the same day of the next month (day 1: the calendar
   * month). An anchor past a month's end falls on that month's last day, without drifting afterwards.
   */
  MONTH
}
