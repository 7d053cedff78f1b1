#include "push/audio/exec_source.hpp"

#include <fmt/format.h>

#include "core/log.hpp"

namespace levelcast {

std::unique_ptr<ExecSource> ExecSource::open(ExecConfig config, std::string& error) {
  auto stream = CommandStream::open({config.name, config.command, config.restart}, error);
  if (!stream) {
    error = "exec:" + error;
    return nullptr;
  }
  return std::unique_ptr<ExecSource>(new ExecSource(std::move(config), std::move(stream)));
}

ExecSource::ExecSource(ExecConfig config, std::unique_ptr<CommandStream> stream)
    : config_(std::move(config)),
      stream_(std::move(stream)),
      decoder_(config_.format, config_.channels),
      run_(stream_->run()) {}

size_t ExecSource::read(std::span<float> out) {
  const size_t frames = out.size() / static_cast<size_t>(config_.channels);
  if (frames == 0) return 0;
  while (true) {
    const std::span<std::byte> space = decoder_.space_for(frames);
    const size_t n = stream_->read(space);
    if (n == 0) return 0;
    // A new run of the command starts a new byte stream: a carried partial frame is stale.
    if (stream_->run() != run_) {
      if (decoder_.has_partial_frame()) LC_LOG(warn, "source {}: output ended inside a frame", config_.name);
      decoder_.drop_carried(n);
      run_ = stream_->run();
    }
    const size_t got = decoder_.commit(n, out);
    if (got > 0) return got;
  }
}

}  // namespace levelcast
