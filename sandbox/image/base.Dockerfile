# Base of the sandbox image on a host that can pull from a registry. The
# offline route (`grader sandbox build --from-debian`) makes the same base with
# debootstrap instead; the final image (Dockerfile) is built FROM either.
FROM debian:bookworm-slim
ARG NUMPY_DEB
ARG MATPLOTLIB_DEB
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      python3 python3-numpy=${NUMPY_DEB} python3-matplotlib=${MATPLOTLIB_DEB} \
 && rm -rf /var/lib/apt/lists/*
