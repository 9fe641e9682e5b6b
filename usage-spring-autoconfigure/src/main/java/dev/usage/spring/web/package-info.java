/**
 * The HTTP contract of guarded Spring MVC endpoints: RateLimit fields, 429 problem details and Retry-After (left
 * out for a request that asks for more than a quota can ever allow).
 */
package dev.usage.spring.web;
