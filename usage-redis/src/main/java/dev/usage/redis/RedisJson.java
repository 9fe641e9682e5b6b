package dev.usage.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.usage.AuditEntry;
import dev.usage.PeriodUsage;
import dev.usage.QuotaPeriod;
import dev.usage.QuotaType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The JSON objects kept as audit entries and history rows. JSON escapes whatever text holds (separators, quotes,
 * any Unicode), so free text round-trips exactly, and the scripts can check an object's shape with
 * {@code cjson} before they write it. Instants are {@link Instant#toString()} (exact to the nanosecond), amounts
 * JSON integers (read back exactly as {@code long}s).
 *
 * <p>Audit entry: {@code at, actor, user, action, type} (absent when the entry concerns no quota type),
 * {@code old, new, reason}, and, each absent when the entry has none, {@code rid} (request id), {@code prev}
 * (previous hash) and {@code hash}; entries written before those existed read as entries without them. History
 * row: {@code user, type, period, start, end, limit, used, rolledOver, closedAt, carriedIn, rolledOverParts} (the
 * last two absent from rows stored by earlier versions).
 * Decoding refuses anything else with {@link IllegalArgumentException}.
 */
final class RedisJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private RedisJson() {}

  static String audit(AuditEntry e) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("at", e.at().toString());
    n.put("actor", e.actor());
    n.put("user", e.userId());
    n.put("action", e.action());
    e.quotaType().ifPresent(t -> n.put("type", t.name()));
    n.put("old", e.oldValue());
    n.put("new", e.newValue());
    n.put("reason", e.reason());
    e.requestId().ifPresent(r -> n.put("rid", r));
    e.previousHash().ifPresent(h -> n.put("prev", h));
    e.hash().ifPresent(h -> n.put("hash", h));
    return write(n);
  }

  static AuditEntry audit(String json) {
    JsonNode n = read(json);
    return new AuditEntry(Instant.parse(text(n, "at")), text(n, "actor"), text(n, "user"), text(n, "action"),
        optionalText(n, "type").map(QuotaType::of), text(n, "old"), text(n, "new"), text(n, "reason"),
        optionalText(n, "rid"), optionalText(n, "prev"), optionalText(n, "hash"));
  }

  private static Optional<String> optionalText(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v != null && !v.isTextual()) {
      throw new IllegalArgumentException("field " + field + " is not text");
    }
    return Optional.ofNullable(v).map(JsonNode::textValue);
  }

  static String period(PeriodUsage p) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("user", p.userId());
    n.put("type", p.type().name());
    n.put("period", p.period().name());
    n.put("start", p.periodStart().toString());
    n.put("end", p.periodEnd().toString());
    n.put("limit", p.limit());
    n.put("used", p.used());
    n.put("rolledOver", p.rolledOver());
    n.put("closedAt", p.closedAt().toString());
    n.put("carriedIn", p.carriedIn());
    com.fasterxml.jackson.databind.node.ArrayNode parts = n.putArray("rolledOverParts");
    p.rolledOverParts().forEach(parts::add);
    return write(n);
  }

  static PeriodUsage period(String json) {
    JsonNode n = read(json);
    long rolledOver = number(n, "rolledOver");
    // rows stored before rollover was applied have neither field: nothing carried in, one part
    long carriedIn = n.has("carriedIn") ? number(n, "carriedIn") : 0;
    List<Long> parts = new ArrayList<>();
    JsonNode stored = n.get("rolledOverParts");
    if (stored == null) {
      if (rolledOver > 0) {
        parts.add(rolledOver);
      }
    } else if (stored.isArray()) {
      for (JsonNode part : stored) {
        if (!part.isIntegralNumber() || !part.canConvertToLong()) {
          throw new IllegalArgumentException("field rolledOverParts holds a value that is not a whole number");
        }
        parts.add(part.longValue());
      }
    } else {
      throw new IllegalArgumentException("field rolledOverParts is not an array");
    }
    return new PeriodUsage(text(n, "user"), QuotaType.of(text(n, "type")), QuotaPeriod.valueOf(text(n, "period")),
        Instant.parse(text(n, "start")), Instant.parse(text(n, "end")), number(n, "limit"), number(n, "used"),
        rolledOver, Instant.parse(text(n, "closedAt")), carriedIn, parts);
  }

  private static String write(ObjectNode n) {
    try {
      return MAPPER.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings and numbers always serializes", e);
    }
  }

  private static JsonNode read(String json) {
    JsonNode n;
    try {
      n = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    return n;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("field " + field + " is missing or not text");
    }
    return v.textValue();
  }

  private static long number(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new IllegalArgumentException("field " + field + " is missing or not a whole number");
    }
    return v.longValue();
  }
}
