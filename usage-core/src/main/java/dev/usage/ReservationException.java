package dev.usage;

/**
 * A reservation cannot be settled as asked: it is unknown (never made, or forgotten after its retention
 * window), or it was already settled the other way (committed then released, or the reverse, or
 * committed twice with different amounts).
 */
public class ReservationException extends UsageException {
  private static final long serialVersionUID = 1L;

  private final String reservationId;

  public ReservationException(String reservationId, String problem) {
    super("reservation " + reservationId + ": " + problem);
    this.reservationId = reservationId;
  }

  public String reservationId() {
    return reservationId;
  }
}
