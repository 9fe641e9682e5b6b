/**
 * Notifications to users through Spring: the e-mail channel, its templates, and the hooks for recipients and
 * preferences.
 */
package dev.usage.spring.notify;
