/**
 * The example application: a Spring Boot text-correction service whose {@code POST /api/correct} is guarded by
 * {@code @QuotaGuard} on characters, requests and tokens, the usage and quota REST API over the engine, and
 * the dashboard served from {@code static/}.
 */
package dev.usage.example;
