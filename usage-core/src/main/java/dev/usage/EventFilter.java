package dev.usage;

import dev.usage.internal.Checks;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which recorded events an analytics call or an export covers: those in the time range that match every
 * non-empty set (an event matches a set when its value is one of it). Values are compared exactly (case
 * and spaces count).
 *
 * @param range when the events occurred
 * @param users user ids; empty: every user
 * @param features features; empty: every feature
 * @param endpoints endpoints; empty: every endpoint, events without one included
 * @param tiers the users' current tiers (users without stored settings are in the engine's default tier);
 *     empty: every tier
 * @param quotaTypes events with a positive amount of at least one of these types; empty: every event
 * @param outcome succeeded events, failed ones, or both
 */
public record EventFilter(TimeRange range, Set<String> users, Set<String> features, Set<String> endpoints,
    Set<String> tiers, Set<QuotaType> quotaTypes, Outcome outcome) {

  /** Most values accepted in one set. */
  public static final int MAX_VALUES = 1_000;

  /** Which outcomes an {@link EventFilter} keeps. */
  public enum Outcome {
    /** Every event. */
    ANY,
    /** Events recorded as successful. */
    SUCCEEDED,
    /** Events recorded as unsuccessful. */
    FAILED
  }

  public EventFilter {
    Checks.notNull("range", range);
    users = names("users", users, Checks.MAX_ID_LENGTH);
    features = names("features", features, Checks.MAX_NAME_LENGTH);
    endpoints = names("endpoints", endpoints, 256);
    tiers = names("tiers", tiers, Checks.MAX_NAME_LENGTH);
    Checks.noNullElements("quotaTypes", quotaTypes);
    if (quotaTypes.size() > MAX_VALUES) {
      throw new InvalidUsageException("quotaTypes", "must hold at most " + MAX_VALUES + " values, held " + quotaTypes.size());
    }
    quotaTypes = Collections.unmodifiableSet(new TreeSet<>(quotaTypes));
    Checks.notNull("outcome", outcome);
  }

  private static Set<String> names(String field, Set<String> values, int max) {
    Checks.noNullElements(field, values);
    if (values.size() > MAX_VALUES) {
      throw new InvalidUsageException(field, "must hold at most " + MAX_VALUES + " values, held " + values.size());
    }
    for (String v : values) {
      Checks.text(field, v, max);
    }
    return Collections.unmodifiableSet(new TreeSet<>(values));
  }

  /** Every event in {@code range}. */
  public static EventFilter of(TimeRange range) {
    return builder(range).build();
  }

  /** A builder that starts with every event in {@code range}. */
  public static Builder builder(TimeRange range) {
    return new Builder(range);
  }

  /** The same filter over another range. */
  public EventFilter withRange(TimeRange other) {
    return new EventFilter(other, users, features, endpoints, tiers, quotaTypes, outcome);
  }

  /** Builds an {@link EventFilter}; the sets add up across calls. Not thread-safe. */
  public static final class Builder {
    private final TimeRange range;
    private final Set<String> users = new TreeSet<>();
    private final Set<String> features = new TreeSet<>();
    private final Set<String> endpoints = new TreeSet<>();
    private final Set<String> tiers = new TreeSet<>();
    private final Set<QuotaType> quotaTypes = new TreeSet<>();
    private Outcome outcome = Outcome.ANY;

    private Builder(TimeRange range) {
      this.range = range;
    }

    public Builder user(String... ids) {
      return add("users", users, Arrays.asList(ids));
    }

    public Builder users(Collection<String> ids) {
      return add("users", users, ids);
    }

    public Builder feature(String... names) {
      return add("features", features, Arrays.asList(names));
    }

    public Builder endpoint(String... names) {
      return add("endpoints", endpoints, Arrays.asList(names));
    }

    public Builder tier(String... names) {
      return add("tiers", tiers, Arrays.asList(names));
    }

    public Builder tiers(Collection<String> names) {
      return add("tiers", tiers, names);
    }

    public Builder quotaType(QuotaType... types) {
      for (QuotaType t : types) {
        quotaTypes.add(Checks.notNull("quotaTypes", t));
      }
      return this;
    }

    public Builder outcome(Outcome o) {
      this.outcome = o;
      return this;
    }

    private <T> Builder add(String field, Set<T> target, Collection<T> values) {
      Checks.noNullElements(field, values);
      target.addAll(values);
      return this;
    }

    public EventFilter build() {
      return new EventFilter(range, users, features, endpoints, tiers, quotaTypes, outcome);
    }
  }
}
