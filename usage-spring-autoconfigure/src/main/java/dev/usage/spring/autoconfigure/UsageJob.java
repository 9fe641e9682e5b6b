package dev.usage.spring.autoconfigure;

import java.time.ZoneId;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.scheduling.support.CronTrigger;

/**
 * One of the engine's periodic jobs on Spring's scheduler: the host's {@link TaskScheduler} bean when it
 * has exactly one, else a single daemon thread of its own. The jobs are idempotent and safe when every
 * instance runs them at once, so no cluster lock is needed. A failed run is logged and the next one
 * goes ahead. Stopped (and its own thread ended) before the engine closes.
 */
public final class UsageJob implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(UsageJob.class);

  private final String name;
  private final Runnable job;
  private final CronTrigger trigger;
  private final ObjectProvider<TaskScheduler> hostScheduler;
  private ThreadPoolTaskScheduler own;
  private ScheduledFuture<?> future;

  /**
   * @param name the job's name, for logs
   * @param property the property holding the cron expression, for errors
   * @param cron the expression
   * @param zone the zone the expression is read in
   * @param job what to run
   * @param hostScheduler the host's scheduler, if any
   * @throws InvalidConfigurationPropertyValueException the expression does not parse
   */
  public UsageJob(String name, String property, String cron, ZoneId zone, Runnable job,
      ObjectProvider<TaskScheduler> hostScheduler) {
    try {
      CronExpression.parse(cron);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new InvalidConfigurationPropertyValueException(property, cron, "not a cron expression: " + e.getMessage());
    }
    this.name = name;
    this.job = job;
    this.trigger = new CronTrigger(cron, zone);
    this.hostScheduler = hostScheduler;
  }

  @Override
  public synchronized void start() {
    TaskScheduler scheduler = hostScheduler.getIfUnique();
    if (scheduler == null) {
      own = new ThreadPoolTaskScheduler();
      own.setThreadNamePrefix("usage-" + name + "-");
      own.setDaemon(true);
      own.initialize();
      scheduler = own;
    }
    future = scheduler.schedule(this::runOnce, trigger);
  }

  /** Runs the job once now, logging a failure instead of throwing it. */
  public void runOnce() {
    try {
      job.run();
    } catch (RuntimeException e) {
      log.error("usage {} job failed; the next run goes ahead", name, e);
    }
  }

  @Override
  public synchronized void stop() {
    if (future != null) {
      future.cancel(false);
      future = null;
    }
    if (own != null) {
      own.shutdown();
      own = null;
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return future != null;
  }
}
