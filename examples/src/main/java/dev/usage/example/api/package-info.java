/** The usage, quota and admin REST API of the example, thin over the engine's services, and its JSON views. */
package dev.usage.example.api;
