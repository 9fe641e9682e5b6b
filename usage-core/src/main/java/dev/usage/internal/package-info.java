/** The engine behind the public services: enforcement, periods, tier resolution, tracking; no API promise. */
package dev.usage.internal;
