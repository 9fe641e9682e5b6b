package dev.usage.example;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The text-correction service. With no profile it keeps everything in an embedded H2 database; the
 * {@code postgres} profile uses PostgreSQL, and {@code redis} adds Redis for the hot path with PostgreSQL
 * for history (see the README).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class TextCorrectionApplication {

  public static void main(String[] args) {
    SpringApplication.run(TextCorrectionApplication.class, args);
  }
}
