package dev.usage;

import dev.usage.internal.Checks;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which audit entries a query or an export covers: those made in the time range (when one is given) that
 * match every non-empty set (an entry matches a set when its value is one of it). Values are compared exactly.
 *
 * @param range when the changes were made; empty: any time
 * @param users whose settings changed; empty: every user
 * @param actors who made the change; empty: every actor
 * @param actions the kinds of change ({@code override}, {@code change-tier}, ...); empty: every action
 * @param quotaTypes the quota types concerned; empty: every entry, those about no quota type included; non-empty:
 *     only entries about one of them
 * @param requestIds the callers' request ids; empty: every entry, those without request id included
 */
public record AuditFilter(Optional<TimeRange> range, Set<String> users, Set<String> actors, Set<String> actions,
    Set<QuotaType> quotaTypes, Set<String> requestIds) {

  /** Most values accepted in one set. */
  public static final int MAX_VALUES = 1_000;

  public AuditFilter {
    Checks.notNull("range", range);
    users = values("users", users, Checks.MAX_ID_LENGTH);
    actors = values("actors", actors, Checks.MAX_ID_LENGTH);
    actions = values("actions", actions, Checks.MAX_NAME_LENGTH);
    requestIds = values("requestIds", requestIds, Checks.MAX_ID_LENGTH);
    Checks.noNullElements("quotaTypes", quotaTypes);
    if (quotaTypes.size() > MAX_VALUES) {
      throw new InvalidUsageException("quotaTypes", "must hold at most " + MAX_VALUES + " values, held " + quotaTypes.size());
    }
    quotaTypes = Collections.unmodifiableSet(new TreeSet<>(quotaTypes));
  }

  private static Set<String> values(String field, Set<String> values, int max) {
    Checks.noNullElements(field, values);
    if (values.size() > MAX_VALUES) {
      throw new InvalidUsageException(field, "must hold at most " + MAX_VALUES + " values, held " + values.size());
    }
    for (String v : values) {
      Checks.text(field, v, max);
    }
    return Collections.unmodifiableSet(new TreeSet<>(values));
  }

  /** Every entry of every user. */
  public static AuditFilter all() {
    return builder().build();
  }

  /** A builder that starts with every entry of every user. */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether {@code e} is one of the entries this filter covers. */
  public boolean matches(AuditEntry e) {
    return (range.isEmpty() || within(e.at(), range.get()))
        && (users.isEmpty() || users.contains(e.userId()))
        && (actors.isEmpty() || actors.contains(e.actor()))
        && (actions.isEmpty() || actions.contains(e.action()))
        && (quotaTypes.isEmpty() || e.quotaType().filter(quotaTypes::contains).isPresent())
        && (requestIds.isEmpty() || e.requestId().filter(requestIds::contains).isPresent());
  }

  /**
   * {@code from <= at < to} at the microsecond, the precision every store keeps of an entry: the SQL stores compare
   * the bounds cut to it, and so does this.
   */
  private static boolean within(Instant at, TimeRange r) {
    Instant t = at.truncatedTo(ChronoUnit.MICROS);
    return !t.isBefore(r.from().truncatedTo(ChronoUnit.MICROS))
        && t.isBefore(r.to().truncatedTo(ChronoUnit.MICROS));
  }

  /** Builds an {@link AuditFilter}; the sets add up across calls. Not thread-safe. */
  public static final class Builder {
    private TimeRange range;
    private final Set<String> users = new TreeSet<>();
    private final Set<String> actors = new TreeSet<>();
    private final Set<String> actions = new TreeSet<>();
    private final Set<QuotaType> quotaTypes = new TreeSet<>();
    private final Set<String> requestIds = new TreeSet<>();

    private Builder() {}

    /** Only entries made within {@code r}. */
    public Builder range(TimeRange r) {
      this.range = Checks.notNull("range", r);
      return this;
    }

    public Builder user(String... ids) {
      return add("users", users, Arrays.asList(ids));
    }

    public Builder users(Collection<String> ids) {
      return add("users", users, ids);
    }

    public Builder actor(String... ids) {
      return add("actors", actors, Arrays.asList(ids));
    }

    public Builder action(String... names) {
      return add("actions", actions, Arrays.asList(names));
    }

    public Builder requestId(String... ids) {
      return add("requestIds", requestIds, Arrays.asList(ids));
    }

    public Builder quotaType(QuotaType... types) {
      for (QuotaType t : types) {
        quotaTypes.add(Checks.notNull("quotaTypes", t));
      }
      return this;
    }

    private <T> Builder add(String field, Set<T> target, Collection<T> values) {
      Checks.noNullElements(field, values);
      target.addAll(values);
      return this;
    }

    public AuditFilter build() {
      return new AuditFilter(Optional.ofNullable(range), users, actors, actions, quotaTypes, requestIds);
    }
  }
}
