package dev.usage;

import java.time.Instant;

/**
 * What one run of the reset job did.
 *
 * @param at the engine clock's reading when the run started; periods ending at or before it were closed
 * @param countersScanned counters looked at
 * @param periodsClosed history rows written by this run
 * @param alreadyClosed finished periods another run had closed before
 */
public record ResetReport(Instant at, long countersScanned, long periodsClosed, long alreadyClosed) {}
