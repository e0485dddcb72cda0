export { ConsumerGroup, type ConsumerGroupOptions } from './consumer-group';
export { createKafka, kafkaSecurity } from './kafka-client';
export { KafkaProducer } from './kafka-producer';
export { KafkaProbe } from './kafka-probe';
export { MessagingModule } from './messaging.module';
export { ensureTopics, type TopicDrift, type TopicSpec } from './topic-admin';
export { EVENT_TOPIC_CONFIG, eventTopic, eventTopicSpec } from './topics';
