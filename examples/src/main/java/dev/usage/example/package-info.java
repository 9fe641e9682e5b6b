/** Runnable examples of the usage engine. */
package dev.usage.example;
