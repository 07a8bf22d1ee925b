#!/usr/bin/env bash
# Install the system packages pingan needs on Debian 12 (run as root).
# Idempotent: packages already present are not touched; apt runs only when something is missing.
set -euo pipefail

PACKAGES=(
  python3 python3-venv python3-pip
  tesseract-ocr tesseract-ocr-chi-sim
  fonts-noto-cjk fonts-arphic-ukai fonts-arphic-uming fonts-wqy-zenhei fonts-liberation2
  poppler-utils
  libgl1 libglib2.0-0
  libreoffice-writer-nogui
  fontconfig
  chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "系统软件包已齐全。"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "缺少系统软件包：${missing[*]}" >&2
  echo "请以 root 身份运行：sudo $0" >&2
  exit 1
fi

echo "正在安装系统软件包：${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
fc-cache -f >/dev/null 2>&1 || true
