# Thin wrapper: installs Debian packages, then drives CMake. README's two
# commands are `make run` and `make test`.

# Every Debian package the build and tests need, in one place.
PACKAGES := cmake make g++ ccache pkg-config libboost-dev catch2 libcli11-dev libssl-dev \
  fuse3 libfuse3-dev \
  libsdl2-dev libxfixes-dev libfreetype-dev libfontconfig-dev fonts-dejavu-core fonts-go \
  fonts-wqy-microhei fonts-noto-color-emoji \
  libvterm-dev zlib1g-dev \
  xvfb xdotool imagemagick xclip groff-base bubblewrap vim-tiny less procps
# Only for `make bench`: the baselines grio is measured against (hubs
# against tmux and screen, the desktop against st and xterm, exports
# against ssh -L to a throwaway sshd on loopback, grio view against x11vnc
# and a VNC viewer).
BENCH_PACKAGES := tmux screen stterm xterm openssh-server x11vnc tigervnc-viewer
# Only for `make fuzz`.
FUZZ_PACKAGES := clang libclang-rt-14-dev

JOBS ?= $(shell nproc)
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: deps bench-deps fuzz-deps install-packages build run test bench fuzz clean

deps:
	@$(MAKE) --no-print-directory install-packages LIST="$(PACKAGES)"

bench-deps:
	@$(MAKE) --no-print-directory install-packages LIST="$(BENCH_PACKAGES)"

fuzz-deps:
	@$(MAKE) --no-print-directory install-packages LIST="$(FUZZ_PACKAGES)"

install-packages:
	@missing=""; for p in $(LIST); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

build: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build -j $(JOBS)

# The desktop (headless, as grio serve, when there is no display).
run: build
	./build/grio

# The whole suite twice: a normal build, then ASan+UBSan.
test: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build -j $(JOBS)
	cd build && ctest --output-on-failure -j $(JOBS) --timeout 300
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DGRIO_SANITIZE=ON
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS) --timeout 600

bench: deps bench-deps
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DGRIO_BENCH=ON
	cmake --build build-bench -j $(JOBS)
	cmake --build build-bench --target bench

fuzz: deps fuzz-deps
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGRIO_FUZZ=ON
	cmake --build build-fuzz -j $(JOBS) --target fuzz

clean:
	rm -rf build build-asan build-bench build-fuzz
