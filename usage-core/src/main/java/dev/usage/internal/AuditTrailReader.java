package dev.usage.internal;

import dev.usage.AuditEntry;
import dev.usage.AuditFilter;
import dev.usage.AuditOrder;
import dev.usage.AuditPage;
import dev.usage.AuditQuery;
import dev.usage.AuditVerification;
import dev.usage.ExportFormat;
import dev.usage.spi.UserQuotaStore;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The read side of the audit trail: pages, exports, request-id look-ups and chain checks. Thread-safe. */
final class AuditTrailReader {

  /** Users read per page by {@link #verifyAll}. */
  private static final int USERS_PER_PAGE = 500;

  private final UserQuotaStore store;

  AuditTrailReader(UserQuotaStore store) {
    this.store = store;
  }

  AuditPage find(AuditQuery query) {
    Checks.notNull("query", query);
    List<AuditEntry> out = new ArrayList<>();
    // one more than asked: whether a next page exists, without counting
    QuotaEngine.store(() -> store.forEachAuditEntry(query.filter(), query.order(), query.offset(), query.limit() + 1L,
        out::add));
    if (out.size() > query.limit()) {
      return new AuditPage(out.subList(0, query.limit()), Optional.of(query.next()));
    }
    return new AuditPage(out, Optional.empty());
  }

  long export(AuditFilter filter, AuditOrder order, ExportFormat format, OutputStream out) {
    Checks.notNull("filter", filter);
    Checks.notNull("order", order);
    Checks.notNull("format", format);
    Checks.notNull("out", out);
    AuditExportWriter writer = new AuditExportWriter(format, out);
    DefaultAnalyticsService.streamOrAbort(() -> store.forEachAuditEntry(filter, order, 0, Long.MAX_VALUE, writer),
        writer::flush, format, out);
    writer.finish();
    return writer.rows();
  }

  /** The user's entry recorded under {@code requestId}, if any. */
  Optional<AuditEntry> byRequestId(String userId, String requestId) {
    AuditFilter filter = AuditFilter.builder().user(userId).requestId(requestId).build();
    List<AuditEntry> found = new ArrayList<>(1);
    QuotaEngine.store(() -> store.forEachAuditEntry(filter, AuditOrder.OLDEST_FIRST, 0, 1, found::add));
    return found.stream().findFirst();
  }

  AuditVerification verify(String userId) {
    Checks.id("userId", userId);
    return AuditChain.verify(userId, QuotaEngine.store(() -> store.auditTrail(userId)));
  }

  AuditVerification verifyAll() {
    AuditVerification total = new AuditVerification(0, 0, 0, Optional.empty());
    Optional<String> after = Optional.empty();
    while (true) {
      Optional<String> from = after;
      List<String> users = QuotaEngine.store(() -> store.auditedUsers(from, USERS_PER_PAGE));
      for (String user : users) {
        total = AuditChain.add(total, verify(user));
        if (!total.intact()) {
          return total;
        }
      }
      if (users.size() < USERS_PER_PAGE) {
        return total;
      }
      after = Optional.of(users.get(users.size() - 1));
    }
  }
}
