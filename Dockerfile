# retailflow worker and API image (Debian-based: the Temporal core bridge needs glibc).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
USER node
CMD ["node", "--max-semi-space-size=64", "--import", "tsx", "workers/main.ts"]
