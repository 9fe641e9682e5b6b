/**
 * The storage SPI: the small atomic primitives a backend implements. Quota arithmetic (limits, periods,
 * tiers) stays in the engine; a store only applies conditional adds, holds and appends atomically.
 */
package dev.usage.spi;
