package dev.usage.internal;

import dev.usage.AuditBreak;
import dev.usage.AuditEntry;
import dev.usage.AuditVerification;
import dev.usage.QuotaType;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The audit trail's hash chain: the hash of an entry, and the walk that checks a user's trail. No API promise.
 *
 * <p>Canonical encoding (version 1): the ASCII tag {@code usage-audit/1}, then each of {@code at}
 * ({@link java.time.Instant#toString()}), {@code actor}, {@code userId}, {@code action}, {@code quotaType}
 * (its name), {@code oldValue}, {@code newValue}, {@code reason}, {@code requestId} and {@code previousHash} as
 * a 4-byte big-endian length of its UTF-8 bytes followed by them, or the length -1 when it is absent. Lengths
 * make the encoding unambiguous whatever the text holds. The hash is the SHA-256 of it, in lower-case hex.
 */
public final class AuditChain {

  private static final byte[] TAG = "usage-audit/1".getBytes(StandardCharsets.US_ASCII);

  private AuditChain() {}

  /** {@code entry} chained after {@code previous} (the user's newest entry, if any). */
  public static AuditEntry link(AuditEntry entry, Optional<AuditEntry> previous) {
    Optional<String> previousHash = previous.flatMap(AuditEntry::hash);
    return entry.withHashes(previousHash, hash(entry, previousHash));
  }

  /** The hash of {@code entry}'s content with {@code previousHash} (its own hashes are not read). */
  public static String hash(AuditEntry entry, Optional<String> previousHash) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(TAG);
      field(out, Optional.of(entry.at().toString()));
      field(out, Optional.of(entry.actor()));
      field(out, Optional.of(entry.userId()));
      field(out, Optional.of(entry.action()));
      field(out, entry.quotaType().map(QuotaType::name));
      field(out, Optional.of(entry.oldValue()));
      field(out, Optional.of(entry.newValue()));
      field(out, Optional.of(entry.reason()));
      field(out, entry.requestId());
      field(out, previousHash);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static void field(DataOutputStream out, Optional<String> value) throws IOException {
    if (value.isEmpty()) {
      out.writeInt(-1);
      return;
    }
    byte[] b = value.get().getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  /** Checks one user's trail, oldest first: the first break, if any, and the counts. */
  public static AuditVerification verify(String userId, List<AuditEntry> trail) {
    long unchained = 0;
    Optional<String> previous = Optional.empty();
    boolean started = false;
    for (int i = 0; i < trail.size(); i++) {
      AuditEntry e = trail.get(i);
      Optional<String> problem = Optional.empty();
      if (!e.userId().equals(userId)) {
        problem = Optional.of("belongs to user '" + e.userId() + "'");
      } else if (e.hash().isEmpty()) {
        if (started) {
          problem = Optional.of("carries no hash, but the chain started before it");
        } else {
          unchained++;
          continue;
        }
      } else if (!e.previousHash().equals(previous)) {
        problem = Optional.of(started ? "does not name the hash of the entry before it (one was removed or inserted)"
            : "names a previous hash, but no chained entry is before it (one was removed)");
      } else if (!hash(e, e.previousHash()).equals(e.hash().get())) {
        problem = Optional.of("its hash does not match its content (it was edited)");
      }
      if (problem.isPresent()) {
        return new AuditVerification(1, i + 1, unchained, Optional.of(new AuditBreak(userId, i, e, problem.get())));
      }
      started = true;
      previous = e.hash();
    }
    return new AuditVerification(1, trail.size(), unchained, Optional.empty());
  }

  /** The sum of two verifications, the first's break winning. */
  static AuditVerification add(AuditVerification a, AuditVerification b) {
    return new AuditVerification(a.users() + b.users(), a.entries() + b.entries(), a.unchained() + b.unchained(),
        a.firstBreak().or(b::firstBreak));
  }
}
