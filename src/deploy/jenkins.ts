/**
 * @module deploy/jenkins
 * A declarative Jenkinsfile with the same stages as the GitHub workflow. The push stage first
 * checks that the image exists locally (`docker image inspect`), so a failed build never pushes a
 * stale tag; deploying waits for a manual approval.
 */

import type { CiOptions } from "./github.js";
import { checkResourceName } from "./names.js";
import type { GeneratedFiles } from "./output.js";

/** Groovy's `${…}` interpolation, kept out of template literals. */
const groovy = (name: string) => ["$", "{", name, "}"].join("");

/** `Jenkinsfile`, relative to the output folder. */
export function jenkinsfile(options: CiOptions & { registry?: string } = {}): GeneratedFiles {
  const name = checkResourceName(options.name ?? "lathe-model");
  const data = options.data ?? "data/raw/churn.csv";
  const suite = options.suite ?? "references/expectations.yml";
  const manifests = options.manifests ?? "deploy/k8s";
  const registry = options.registry ?? "ghcr.io/your-org";
  const text = `// CI/CD for the model: test, validate data, reproduce, build, push, deploy.
pipeline {
  agent any

  options {
    timeout(time: 60, unit: 'MINUTES')
    disableConcurrentBuilds()
    buildDiscarder(logRotator(numToKeepStr: '20'))
    timestamps()
  }

  environment {
    REGISTRY = '${registry}'
    IMAGE = "${groovy("REGISTRY")}/${name}:${groovy("env.BUILD_NUMBER")}"
    MLFLOW_TRACKING_URI = 'http://tracking:5000'
    ONNXRUNTIME_NODE_INSTALL = 'skip'
  }

  stages {
    stage('Checkout') {
      steps {
        checkout scm
      }
    }
    stage('Set up') {
      steps {
        sh 'node --version'
        sh 'npm --version'
      }
    }
    stage('Install') {
      steps {
        sh 'npm ci'
      }
    }
    stage('Test') {
      steps {
        sh 'npm run lint --if-present'
        sh 'npm test --if-present'
      }
    }
    stage('Validate data') {
      when {
        expression { fileExists('${suite}') }
      }
      steps {
        sh 'npx lathe validate ${data} --suite ${suite}'
      }
    }
    stage('Reproduce') {
      steps {
        sh 'npx lathe pull || echo "No data remote reachable; using the data in the cache."'
        sh 'npx lathe repro'
        sh 'npx lathe metrics show'
      }
    }
    stage('Build image') {
      steps {
        sh 'docker build -f deploy/Dockerfile -t "$IMAGE" .'
      }
    }
    stage('Push image') {
      when {
        branch 'main'
      }
      steps {
        sh 'docker image inspect "$IMAGE" > /dev/null'
        withCredentials([usernamePassword(credentialsId: 'registry', usernameVariable: 'REGISTRY_USER', passwordVariable: 'REGISTRY_PASSWORD')]) {
          sh 'echo "$REGISTRY_PASSWORD" | docker login "$(echo "$REGISTRY" | cut -d/ -f1)" -u "$REGISTRY_USER" --password-stdin'
          sh 'docker push "$IMAGE"'
        }
      }
    }
    stage('Deploy') {
      when {
        branch 'main'
      }
      input {
        message 'Deploy this model to production?'
      }
      steps {
        sh 'kubectl apply -f ${manifests}'
        sh 'kubectl set image deployment/${name} model-server="$IMAGE"'
        sh 'kubectl rollout status deployment/${name} --timeout=300s'
      }
    }
  }

  post {
    always {
      archiveArtifacts artifacts: 'reports/**, dvc.lock', allowEmptyArchive: true
    }
    success {
      echo "Built ${groovy("env.IMAGE")}"
    }
    failure {
      echo "Pipeline failed in ${groovy("env.STAGE_NAME")}; see the stage log."
    }
  }
}
`;
  return { Jenkinsfile: text };
}
