package io.tinstream.streaming.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinstream.streaming.JobSettings;
import io.tinstream.streaming.TinstreamOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.GlobalConfiguration;
import org.junit.jupiter.api.Test;

class KafkaClientPropertiesTest {

  private static final String SECRET = "s3cr3t-never-printed";

  private static final String JAAS =
      "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"job\""
          + " password=\""
          + SECRET
          + "\";";

  private static Map<String, String> secureSettings() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("tinstream.kafka.bootstrap-servers", "kafka:9093");
    values.put("tinstream.kafka.properties.security.protocol", "SASL_SSL");
    values.put("tinstream.kafka.properties.sasl.mechanism", "SCRAM-SHA-512");
    values.put("tinstream.kafka.properties.sasl.jaas.config", JAAS);
    values.put("tinstream.kafka.properties.ssl.truststore.location", "/etc/kafka/trust.p12");
    values.put("tinstream.kafka.properties.ssl.truststore.password", SECRET + "-trust");
    values.put("tinstream.kafka.properties.ssl.keystore.password", SECRET + "-keystore");
    values.put("tinstream.kafka.properties.ssl.key.password", SECRET + "-key");
    return values;
  }

  @Test
  void settingsWithThePrefixBecomeTheClientPropertiesOfTheJob() {
    JobSettings settings = JobSettings.from(secureSettings());
    KafkaClientProperties client = settings.kafkaClientProperties();
    assertThat(client.asMap())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("sasl.jaas.config", JAAS)
        .containsEntry("ssl.truststore.location", "/etc/kafka/trust.p12")
        .hasSize(7);
    assertThat(settings.kafka().clientProperties()).isEqualTo(client);
  }

  @Test
  void thePrintedTableShowsEverySettingWithSecretsMasked() {
    List<Map.Entry<String, String>> table = JobSettings.from(secureSettings()).table();
    assertThat(table)
        .contains(
            Map.entry("tinstream.kafka.properties.security.protocol", "SASL_SSL"),
            Map.entry("tinstream.kafka.properties.sasl.mechanism", "SCRAM-SHA-512"),
            Map.entry("tinstream.kafka.properties.sasl.jaas.config", KafkaClientProperties.MASK),
            Map.entry(
                "tinstream.kafka.properties.ssl.truststore.password", KafkaClientProperties.MASK),
            Map.entry(
                "tinstream.kafka.properties.ssl.keystore.password", KafkaClientProperties.MASK),
            Map.entry("tinstream.kafka.properties.ssl.key.password", KafkaClientProperties.MASK));
    assertThat(table.toString()).doesNotContain(SECRET);
    KafkaClientProperties client = JobSettings.from(secureSettings()).kafkaClientProperties();
    assertThat(client.toString()).doesNotContain(SECRET).contains("SASL_SSL");
    assertThat(client.masked().toString()).doesNotContain(SECRET);
  }

  @Test
  void secretKeysAreMaskedHereAndByFlinksOwnConfigurationViews() {
    for (String key :
        List.of(
            "sasl.jaas.config",
            "ssl.key.password",
            "ssl.keystore.password",
            "ssl.truststore.password",
            "ssl.keystore.key",
            "sasl.oauthbearer.token.endpoint.url",
            "sasl.client.secret")) {
      assertThat(KafkaClientProperties.isSecret(key)).as(key).isTrue();
      assertThat(KafkaClientProperties.shown(key, SECRET)).isEqualTo(KafkaClientProperties.MASK);
    }
    // Should a setting ever reach a Flink configuration, Flink's views mask it too.
    for (String key :
        List.of(
            "tinstream.kafka.properties.sasl.jaas.config",
            "tinstream.kafka.properties.ssl.key.password",
            "tinstream.kafka.properties.ssl.truststore.password")) {
      assertThat(GlobalConfiguration.isSensitive(key)).as(key).isTrue();
    }
    for (String key : List.of("security.protocol", "sasl.mechanism", "ssl.truststore.location")) {
      assertThat(KafkaClientProperties.isSecret(key)).as(key).isFalse();
    }
  }

  @Test
  void propertiesTinstreamSetsItselfAreRefusedByNameWithoutEchoingValues() {
    assertThatThrownBy(
            () ->
                TinstreamOptions.fromMap(
                    Map.of("tinstream.kafka.properties.bootstrap.servers", "a:9092")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tinstream.kafka.properties.bootstrap.servers")
        .hasMessageContaining("tinstream.kafka.bootstrap-servers");
    assertThatThrownBy(
            () -> JobSettings.from(Map.of("tinstream.kafka.properties.isolation.level", "x")))
        .hasMessageContaining("isolation.level");
    assertThatThrownBy(() -> JobSettings.from(Map.of("tinstream.kafka.properties.", SECRET)))
        .hasMessageContaining("no Kafka property named")
        .hasMessageNotContaining(SECRET);
    assertThatThrownBy(() -> JobSettings.from(Map.of("tinstream.kafka.unknown", SECRET)))
        .hasMessageContaining("tinstream.kafka.properties.<name>")
        .hasMessageNotContaining(SECRET);
  }
}
