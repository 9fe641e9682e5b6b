/** The annotations that guard methods with quotas ({@code @QuotaGuard}) and record their use ({@code @TrackUsage}). */
package dev.usage.spring.annotation;
