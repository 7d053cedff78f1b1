#pragma once
// What happens when a source's command exits: started again (with backoff) or the topic ends.
namespace levelcast {

enum class RestartPolicy { always, never };

}  // namespace levelcast
