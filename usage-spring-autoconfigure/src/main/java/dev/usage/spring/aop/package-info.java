/** The AOP advisor behind {@code @QuotaGuard} and {@code @TrackUsage}, its SpEL evaluation and start-up checks. */
package dev.usage.spring.aop;
