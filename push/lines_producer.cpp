#include "push/lines_producer.hpp"

#include "core/cpu_affinity.hpp"
#include "core/log.hpp"
#include "net/utf8.hpp"
#include "net/ws_frame.hpp"
#include "push/snapshot_json.hpp"

namespace levelcast {

LinesProducer::LinesProducer(Topic& topic, std::unique_ptr<CommandStream> stream, BroadcastHub& hub,
                             ProducerCounters& counters, size_t max_line, DeflateSettings deflate)
    : topic_(topic),
      stream_(std::move(stream)),
      publisher_(topic, hub, counters, deflate),
      counters_(counters),
      lines_(max_line),
      seq_(topic.seq_base) {}

LinesProducer::~LinesProducer() { stop(); }

void LinesProducer::start(int cpu) { thread_ = std::thread([this, cpu] { run(cpu); }); }

void LinesProducer::stop() {
  stopping_.store(true, std::memory_order_release);
  stream_->interrupt();
  if (thread_.joinable()) thread_.join();
}

void LinesProducer::run(int cpu) {
  name_current_thread(("lc-lines-" + topic_.name).c_str());
  if (!pin_current_thread(cpu)) LC_LOG(warn, "source {}: cannot pin to CPU {}", topic_.name, cpu);
  std::byte buffer[16 * 1024];
  uint64_t run = stream_->run();
  const auto on_line = [this](std::string_view line) { publish_line(line); };
  while (const size_t n = stream_->read(buffer)) {
    // A restarted command begins a new stream: its first bytes do not continue the last line.
    if (stream_->run() != run) {
      lines_.flush(on_line);
      run = stream_->run();
    }
    lines_.feed({reinterpret_cast<const char*>(buffer), n}, on_line);
  }
  lines_.flush(on_line);
  if (!stopping_.load(std::memory_order_acquire)) publish_ended();
}

void LinesProducer::publish_line(std::string_view line) {
  if (!is_valid_utf8(as_bytes(line))) {
    LC_LOG(warn, "source {}: dropped a line that is not UTF-8", topic_.name);
    return;
  }
  ++seq_;
  bump(counters_.snapshots);
  // The line as it is (the JSON form), and as {"seq":N,"line":"..."} (the second form).
  json_.clear();
  append_line_json(json_, seq_, line);
  publisher_.publish_snapshot(seq_, line, as_bytes(json_));
  topic_.last_seq.store(seq_, std::memory_order_relaxed);
}

void LinesProducer::publish_ended() {
  LC_LOG(warn, "source {} ended after {} lines", topic_.name, seq_);
  topic_.ended.store(true, std::memory_order_relaxed);
  std::string event;
  append_event_json(event, topic_.name, "ended");
  publisher_.publish_event("ended", event);
}

}  // namespace levelcast
