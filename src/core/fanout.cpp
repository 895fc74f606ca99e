#include "core/fanout.hpp"

#include <algorithm>

namespace pgclone {

FanOutBuffer::FanOutBuffer(size_t consumers, size_t chunk_size, size_t max_buffered)
    : chunk_size_(chunk_size), max_buffered_(max_buffered), queues_(consumers), pending_(consumers, 0) {
    open_.reserve(chunk_size_);
}

void FanOutBuffer::append(const char *data, size_t size) {
    // Sealed before it would outgrow its reserved size: a string that grows doubles its allocation.
    if (!open_.empty() && open_.size() + size > chunk_size_)
        seal();
    open_.append(data, size);
    open_rows_++;
    if (open_.size() >= chunk_size_)
        seal();
}

void FanOutBuffer::seal() {
    if (open_.empty())
        return;
    auto chunk = std::make_shared<std::string>(std::move(open_));
    if (!spare_.empty()) {
        open_ = std::move(spare_.back());
        spare_.pop_back();
    } else {
        open_ = std::string();
        open_.reserve(chunk_size_);
    }
    for (size_t i = 0; i < queues_.size(); i++) {
        queues_[i].push_back({chunk, open_rows_});
        pending_[i] += chunk->size();
    }
    open_rows_ = 0;
}

int64_t FanOutBuffer::consume(size_t consumer) {
    Sealed sealed = std::move(queues_[consumer].front());
    queues_[consumer].pop_front();
    pending_[consumer] -= sealed.data->size();
    if (sealed.data.use_count() == 1)
        recycle(std::move(sealed.data));
    return sealed.rows;
}

void FanOutBuffer::recycle(std::shared_ptr<std::string> &&chunk) {
    // As many as the bound can hold are worth keeping; an oversized one (a huge row) is not.
    if (chunk->capacity() > std::max<size_t>(2 * chunk_size_, 4096) ||
        (spare_.size() + 1) * chunk_size_ > max_buffered_ + chunk_size_)
        return;
    chunk->clear();
    spare_.push_back(std::move(*chunk));
}

bool FanOutBuffer::any_consumer_idle() const {
    return std::any_of(pending_.begin(), pending_.end(), [](size_t p) { return p == 0; });
}

size_t FanOutBuffer::buffered_bytes() const {
    size_t slowest = pending_.empty() ? 0 : *std::max_element(pending_.begin(), pending_.end());
    return slowest + open_.size();
}

}  // namespace pgclone
