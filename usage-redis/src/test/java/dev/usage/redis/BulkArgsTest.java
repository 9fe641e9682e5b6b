package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.CommandArgs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Arguments encoded by the batcher's callers: on the wire exactly as Lettuce writes them itself. */
class BulkArgsTest {

  @Test
  void writesTheBytesLettuceWritesForTheSameArguments() {
    String[] keys = {"usage:u:{alice}:q", "usage:u:{alice}:k:order-ü", ""};
    String[] args = {"1", "0", "-1", "9007199254740991", "1700000000000000:fp with spaces", "ключ", "0123456789",
        "x".repeat(1234), "😀"};
    CommandArgs<String, String> lettuce = new CommandArgs<>(StringCodec.UTF8).add("sha").add(keys.length)
        .addKeys(keys).addValues(args);
    BulkArgs ours = new BulkArgs().addText("sha", Integer.toString(keys.length))
        .addEncoded(BulkArgs.encode(keys), keys.length).addEncoded(BulkArgs.encode(args), args.length);

    assertThat(ours.count()).isEqualTo(lettuce.count()).isEqualTo(2 + keys.length + args.length);
    assertThat(bytes(ours)).isEqualTo(bytes(lettuce));
    assertThat(ours.toCommandString()).startsWith("$3 sha $1 3 $17 usage:u:{alice}:q");
  }

  @Test
  void encodesEachValueAsALengthPrefixedBulkString() {
    assertThat(new String(BulkArgs.encode("é", "", "abcdefghij"), StandardCharsets.UTF_8))
        .isEqualTo("$2\r\né\r\n$0\r\n\r\n$10\r\nabcdefghij\r\n");
    assertThat(BulkArgs.encode()).isEmpty();
  }

  private static byte[] bytes(CommandArgs<String, String> args) {
    ByteBuf buf = Unpooled.buffer();
    try {
      args.encode(buf);
      byte[] out = new byte[buf.readableBytes()];
      buf.readBytes(out);
      return out;
    } finally {
      buf.release();
    }
  }
}
