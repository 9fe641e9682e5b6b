/** The HTTP contract of guarded Spring MVC endpoints: RateLimit fields, 429 problem details and Retry-After. */
package dev.usage.spring.web;
