/** Operations: Micrometer metrics, the {@code usage} actuator endpoint and the store's health indicator. */
package dev.usage.spring.actuate;
