/**
 * Spring Boot auto-configuration for the usage engine. Placeholder until the Spring Boot work lands: the
 * module compiles against Spring Boot and holds no configuration yet.
 */
package dev.usage.spring.autoconfigure;
