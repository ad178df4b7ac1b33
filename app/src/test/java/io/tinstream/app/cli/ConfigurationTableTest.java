package io.tinstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.streaming.JobSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigurationTableTest {

  @Test
  void theTableJobAndDemoPrintShowsKafkaPropertiesWithSecretsMasked() {
    String secret = "pw-never-printed";
    JobSettings settings =
        JobSettings.from(
            Map.of(
                "tinstream.kafka.properties.security.protocol",
                "SASL_SSL",
                "tinstream.kafka.properties.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required"
                    + " username=\"job\" password=\""
                    + secret
                    + "\";",
                "tinstream.kafka.properties.ssl.truststore.password",
                secret));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ConfigurationTable.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), settings);
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertThat(printed)
        .contains("tinstream.kafka.properties.security.protocol")
        .contains("SASL_SSL")
        .containsPattern("tinstream\\.kafka\\.properties\\.sasl\\.jaas\\.config +\\*{6}")
        .containsPattern("tinstream\\.kafka\\.properties\\.ssl\\.truststore\\.password +\\*{6}")
        .doesNotContain(secret);
  }
}
