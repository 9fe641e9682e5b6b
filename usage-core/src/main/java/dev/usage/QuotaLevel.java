package dev.usage;

/** A traffic-light summary of utilisation, from the engine's configured thresholds (80 % and 100 % by default). */
public enum QuotaLevel {
  GREEN,
  YELLOW,
  RED
}
