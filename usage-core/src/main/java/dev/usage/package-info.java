/** The public API: the engine, its three services, and the value types and errors they use. */
package dev.usage;
