/**
 * mqtt-packet (under both MQTT.js and the embedded aedes broker) builds, on
 * its first packet, a cache of 65,536 two-byte Buffers for the 16-bit
 * numbers it writes (message ids, lengths): about 6 MB of heap kept for the
 * process's life to save one 2-byte allocation per packet. The bridge sends
 * a few thousand packets per poll cycle at most: not worth 6 MB. Both
 * libraries load the same mqtt-packet module, so this one switch covers both;
 * it must run before the first packet is written.
 */
import mqttPacket from 'mqtt-packet';

mqttPacket.writeToStream.cacheNumbers = false;
