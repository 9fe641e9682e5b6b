package dev.usage.internal;

import dev.usage.InvalidUsageException;
import dev.usage.QuotaType;
import dev.usage.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** The fields of one record as a reader collects them, before the event validates them. */
final class EventParts {
  String eventId;
  String userId;
  Instant occurredAt;
  String feature;
  String endpoint;
  Long characters;
  Long requests;
  Long inputTokens;
  Long outputTokens;
  Map<QuotaType, Long> customQuantities = Map.of();
  Duration processingTime;
  String sessionId;
  String ipAddress;
  String userAgent;
  String errorCode;
  Boolean success;
  Map<String, String> metadata = Map.of();

  /** The event, or the first refusal as a malformed-export error naming the record and column. */
  UsageEvent toEvent(long record, long line) {
    require(record, line, ExportColumns.OCCURRED_AT, occurredAt);
    require(record, line, ExportColumns.CHARACTERS, characters);
    require(record, line, ExportColumns.REQUESTS, requests);
    require(record, line, ExportColumns.INPUT_TOKENS, inputTokens);
    require(record, line, ExportColumns.OUTPUT_TOKENS, outputTokens);
    require(record, line, ExportColumns.SUCCESS, success);
    try {
      return new UsageEvent(eventId, userId, feature, Optional.ofNullable(endpoint), occurredAt, characters,
          requests, inputTokens, outputTokens, customQuantities, Optional.ofNullable(processingTime),
          Optional.ofNullable(sessionId), Optional.ofNullable(ipAddress), Optional.ofNullable(userAgent),
          Optional.ofNullable(errorCode), success, metadata);
    } catch (InvalidUsageException e) {
      throw ExportColumns.refused(record, line, e);
    }
  }

  private static void require(long record, long line, String field, Object value) {
    if (value == null) {
      throw ExportColumns.malformed(record, line, field, "is missing");
    }
  }
}
