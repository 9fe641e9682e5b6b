/**
 * Spring Boot auto-configuration of the usage engine: {@code usage.*} properties, the store chosen from the
 * host's beans, the engine's lifecycle, and the beans of the annotation guards and the web contract.
 */
package dev.usage.spring.autoconfigure;
