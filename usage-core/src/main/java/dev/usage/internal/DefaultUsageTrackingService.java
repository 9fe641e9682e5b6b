package dev.usage.internal;

import dev.usage.Consumption;
import dev.usage.InvalidUsageException;
import dev.usage.QuotaDecision;
import dev.usage.QuotaType;
import dev.usage.Reservation;
import dev.usage.SystemUsage;
import dev.usage.TrackingRejectedException;
import dev.usage.TrackingStats;
import dev.usage.UsageEvent;
import dev.usage.UsageStorageException;
import dev.usage.UsageTrackingService;
import dev.usage.UserUsage;
import dev.usage.spi.EventStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The tracking service over the engine and an event recorder. Thread-safe. */
public final class DefaultUsageTrackingService implements UsageTrackingService {

  private static final Logger log = LoggerFactory.getLogger(DefaultUsageTrackingService.class);
  /** How far ahead of the engine clock an event may be stamped (clock skew between hosts). */
  static final Duration MAX_FUTURE_SKEW = Duration.ofHours(24);

  private final QuotaEngine engine;
  private final EventRecorder recorder;
  private final EventStore events;
  private final Clock clock;
  private final ListenerDispatcher listeners;

  public DefaultUsageTrackingService(QuotaEngine engine, EventRecorder recorder, EventStore events, Clock clock,
      ListenerDispatcher listeners) {
    this.listeners = listeners;
    this.engine = engine;
    this.recorder = recorder;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public void trackUsage(UsageEvent event) {
    recorder.record(checkRecordable(event));
    tell(event);
  }

  @Override
  public UsageEvent.Builder event(String userId) {
    return UsageEvent.builder().userId(Checks.id("userId", userId)).occurredAt(clock.instant());
  }

  @Override
  public QuotaDecision checkQuota(Consumption request) {
    return engine.check(Checks.notNull("request", request));
  }

  @Override
  public QuotaDecision consumeQuota(Consumption request) {
    return engine.consume(Checks.notNull("request", request), false);
  }

  @Override
  public QuotaDecision consumeQuota(UsageEvent event) {
    QuotaDecision decision = engine.consume(checkRecordable(event).toConsumption(), false);
    if (decision.allowed()) {
      try {
        // also on replay: the first attempt may have counted and then failed before recording
        recorder.record(event);
        tell(event);
      } catch (TrackingRejectedException | UsageStorageException e) {
        // the decision stands (it was counted, or allowed degraded); consuming the same event again
        // records it without counting it twice
        log.warn("Event {} of user {} was {} but not recorded: {}", event.eventId(), event.userId(),
            decision.degraded() ? "allowed (degraded)" : "counted", e.getMessage());
      }
    }
    return decision;
  }

  @Override
  public QuotaDecision reserveQuota(Consumption request) {
    return engine.consume(Checks.notNull("request", request), true);
  }

  @Override
  public QuotaDecision commitReservation(Reservation reservation, Map<QuotaType, Long> actual) {
    return engine.commit(reservation, actual);
  }

  @Override
  public void releaseReservation(Reservation reservation) {
    engine.release(reservation);
  }

  @Override
  public UserUsage getUserUsage(String userId) {
    return new UserUsage(userId, engine.userQuota(userId).tier(), engine.statuses(userId));
  }

  @Override
  public SystemUsage getSystemUsage(Instant from, Instant to) {
    return DefaultAnalyticsService.systemUsage(events, from, to);
  }

  @Override
  public TrackingStats trackingStats() {
    return recorder.stats();
  }

  /** Tells the listeners, if any: without them, tracking allocates nothing for it. */
  private void tell(UsageEvent event) {
    if (listeners.active()) {
      listeners.publish(l -> l.onEvent(event));
    }
  }

  /**
   * Checks what an event must be to be recorded, beyond what makes it a {@link UsageEvent} (events stored before
   * these checks, or imported, are still read): not too far ahead, and not more custom quota types than a store keeps.
   */
  private UsageEvent checkRecordable(UsageEvent event) {
    Checks.notNull("event", event);
    if (event.occurredAt().isAfter(clock.instant().plus(MAX_FUTURE_SKEW))) {
      throw new InvalidUsageException("occurredAt", "is more than " + MAX_FUTURE_SKEW.toHours()
          + " hours ahead of the engine clock: " + event.occurredAt());
    }
    if (event.customQuantities().size() > UsageEvent.MAX_CUSTOM_QUANTITIES) {
      throw new InvalidUsageException("customQuantities", "at most " + UsageEvent.MAX_CUSTOM_QUANTITIES
          + " custom quota types in one event, were " + event.customQuantities().size());
    }
    return event;
  }
}
