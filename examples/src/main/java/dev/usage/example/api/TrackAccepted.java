package dev.usage.example.api;

/**
 * The answer of {@code POST /api/usage/track} (HTTP 202): the event was accepted for recording.
 *
 * @param accepted always true; a refused event gets a problem instead
 */
public record TrackAccepted(boolean accepted) {

  /** The one answer. */
  public static final TrackAccepted YES = new TrackAccepted(true);
}
