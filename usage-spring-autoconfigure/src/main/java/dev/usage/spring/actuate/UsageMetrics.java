package dev.usage.spring.actuate;

import dev.usage.QuotaDecision;
import dev.usage.QuotaManagementService;
import dev.usage.QuotaType;
import dev.usage.TrackingStats;
import dev.usage.UsageEvent;
import dev.usage.UsageTrackingService;
import dev.usage.spring.aop.UsageGuardListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters of the engine and the annotation guards:
 *
 * <ul>
 *   <li>{@code usage.tracked} (counter; tags {@code feature}, {@code outcome} success|failure): events of
 *       {@code @TrackUsage} calls;
 *   <li>{@code usage.processing} (timer; tags {@code endpoint}, {@code feature}): their processing time;
 *   <li>{@code usage.denials} (counter; tags {@code quota.type}, {@code tier}, {@code feature}): quotas that
 *       refused a {@code @QuotaGuard} call, one count per violated type;
 *   <li>{@code usage.events.accepted}, {@code .written}, {@code .dropped}, {@code .failed}, {@code .rejected} (function
 *       counters) and {@code usage.events.pending} (gauge, the async buffer's depth): the tracking pipeline,
 *       for every event whatever its source.
 * </ul>
 *
 * Thread-safe.
 */
public final class UsageMetrics implements UsageGuardListener {

  private final MeterRegistry registry;
  private final QuotaManagementService quotas;

  /** Registers the pipeline meters on {@code registry}. */
  public UsageMetrics(MeterRegistry registry, UsageTrackingService tracking, QuotaManagementService quotas) {
    this.registry = registry;
    this.quotas = quotas;
    pipeline("accepted", tracking, TrackingStats::accepted, "events accepted for recording");
    pipeline("written", tracking, TrackingStats::written, "events written to the store");
    pipeline("dropped", tracking, TrackingStats::dropped, "events dropped by a full buffer (DROP policy)");
    pipeline("failed", tracking, TrackingStats::failed, "events the store refused after every retry");
    pipeline("rejected", tracking, TrackingStats::rejected,
        "events refused with TrackingRejectedException (buffer full under FAIL or BLOCK, engine closed)");
    Gauge.builder("usage.events.pending", tracking, t -> t.trackingStats().pending())
        .description("events accepted and not yet written (the async buffer's depth)").register(registry);
  }

  private void pipeline(String name, UsageTrackingService tracking, ToDoubleLong stat, String description) {
    ToDoubleFunction<UsageTrackingService> f = t -> stat.apply(t.trackingStats());
    FunctionCounter.builder("usage.events." + name, tracking, f).description(description).register(registry);
  }

  @FunctionalInterface
  private interface ToDoubleLong {
    long apply(TrackingStats stats);
  }

  @Override
  public void denied(String userId, String feature, QuotaDecision decision) {
    String tier = tier(userId);
    for (QuotaType type : decision.violated()) {
      Counter.builder("usage.denials").description("quotas that refused a guarded call")
          .tag("quota.type", type.name()).tag("tier", tier).tag("feature", feature).register(registry).increment();
    }
  }

  @Override
  public void tracked(UsageEvent event) {
    Counter.builder("usage.tracked").description("events of @TrackUsage calls")
        .tag("feature", event.feature()).tag("outcome", event.success() ? "success" : "failure")
        .register(registry).increment();
    event.processingTime().ifPresent(d -> Timer.builder("usage.processing")
        .description("processing time of @TrackUsage calls")
        .tag("endpoint", event.endpoint().orElse("none")).tag("feature", event.feature())
        .register(registry).record(d));
  }

  private String tier(String userId) {
    try {
      return quotas.getUserQuota(userId).tier();
    } catch (RuntimeException e) {
      return "unknown"; // a denial must be counted even when the store cannot say the tier
    }
  }
}
