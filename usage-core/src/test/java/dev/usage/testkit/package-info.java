/**
 * The storage contract kit, shipped as usage-core's test-jar: abstract JUnit classes that every storage
 * adapter's tests extend, a settable clock and a second-JVM helper.
 */
package dev.usage.testkit;
