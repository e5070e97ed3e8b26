# retailflow worker and API image (Debian-based: the Temporal core bridge needs glibc).
# Stage 1 installs the production packages and builds the workflow bundle once, at image build time;
# stage 2 carries only those, the sources and the bundle, and runs as the unprivileged `node` user.
# Checked by test/unit/deployArtifacts.test.ts (no Docker engine runs the tests).
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
RUN npm run bundle:workflows -- dist/workflow-bundle.js

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
# Root-owned and read-only to the process: the running code cannot change itself.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json /app/tsconfig.json ./
COPY --from=build /app/activities ./activities
COPY --from=build /app/api ./api
COPY --from=build /app/contracts ./contracts
COPY --from=build /app/db ./db
COPY --from=build /app/domain ./domain
COPY --from=build /app/ml ./ml
COPY --from=build /app/platform ./platform
COPY --from=build /app/scripts ./scripts
COPY --from=build /app/web ./web
COPY --from=build /app/workers ./workers
COPY --from=build /app/workflows ./workflows
USER node
EXPOSE 3000
CMD ["node", "--max-semi-space-size=64", "--import", "tsx", "workers/main.ts"]
