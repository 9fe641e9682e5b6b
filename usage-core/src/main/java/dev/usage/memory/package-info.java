/** In-memory storage: the embedded default and the reference implementation of the storage SPI. */
package dev.usage.memory;
